"""Word lists for the synthetic benchmark data (names, organisations, news filler).  Data only."""

from __future__ import annotations

EN_FIRST = """James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony
Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary
Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack
Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Noah Ethan Jeremy Walter Christian Keith
Roger Terry Austin Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan
Albert Willie Alan Eugene Russell Vincent Philip Bobby Johnny Bradley Mary Patricia Jennifer Linda Elizabeth Barbara
Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa
Deborah Stephanie Dorothy Rebecca Sharon Laura Cynthia Amy Kathleen Angela Shirley Brenda Emma Anna Pamela Nicole
Samantha Katherine Christine Helen Debra Rachel Carolyn Janet Maria Catherine Heather Diane Olivia Julie Joyce
Victoria Ruth Virginia Lauren Kelly Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl Jacqueline Martha Madison
Teresa Gloria Sara Janice Ann Kathryn Abigail Sophia Frances Jean Alice Judy Isabella Julia Grace Amber Denise
Danielle Marilyn Beverly Charlotte Natalie Theresa Diana Brittany Doris Kayla Alexis Lori Marie""".split()

EN_LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson
Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker
Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter
Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez
Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell
Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan
Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran
Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells
Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder
Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice
Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold
Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley
Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Willis Carpenter Lawrence Sandoval""".split()

EN_LAST_A = """Ash Black Brad Bram Brook Cald Carl Chat Clif Cole Crom Dal Dar Ed Elm Fair Farn Fen Gar Glad Gold Grant
Hal Ham Hart Hay Hol Kel Kin Lang Lind Mar Mil Mor Nor Oak Pen Ral Red Rock Rud Shel Stan Stock Stra Thorn Tren Wal
Wes Whit Win Wood Ald Bar Bel Bur Cam Cran Dun Hamp Hurst Lock""".split()
EN_LAST_B = """ford wood ley ton field well worth by ham stead more ridge brook wick well croft dale holm gate hurst combe
shaw lock mere thorpe don son den man ner low win ing ard ell""".split()

TR_FIRST = """Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat Ömer Ramazan Halil Süleyman Abdullah
Mahmut Recep Salih Fatih Kadir Emre Hakan Adem Kemal Yaşar Bekir Musa Metin Orhan Cengiz Serkan Uğur Şükrü Çağlar Gökhan
Tuğrul Oğuz Doğan Erdoğan Ümit Özgür Sinan Burak Volkan Cihan Barış Erkan Ercan Tolga Levent Ilgaz Irmak Ertuğrul Göktuğ
Fatma Ayşe Emine Hatice Zeynep Elif Meryem Şerife Zehra Sultan Hanife Merve Havva Zeliha Esra Fadime Özlem Hacer Melek
Yasemin Hülya Dilek Şeyma Gülşen Gülay Sevgi Büşra Tuğba Çiğdem Gönül Şükran Nurgül Öznur Ebru Didem Işıl Işık Ilknur
İlknur Songül Gülten Aysel Nuray Sibel Derya Pınar Aslı Çağla Eylül Ilayda İpek Nilüfer Yağmur Özge Ceren Gizem Kübra
Şenay Türkan Müge Gül Birgül""".split()

TR_LAST = """Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin Kara Koç
Kurt Özkan Şimşek Polat Özcan Korkmaz Çakır Erdoğan Yavuz Can Acar Şen Aktaş Güler Yalçın Güneş Bozkurt Bulut Keskin
Ünal Turan Gül Özer Işık Kaplan Avcı Sarı Tekin Taş Köse Yüksel Ateş Aksoy Yiğit Ay Uysal Çiftçi Tunç Bayram Coşkun
Karaca Uçar Akın Kalkan Duman Oral Tuna Sönmez Bilgin Erdem Güven Akgül Ekinci Toprak Kurtuluş Çınar Türk Gündüz
Özgür Uzun Karakaya Eren Akyüz Altun Ercan Ilgın Dursun Kartal Kocabaş Günay Sezer Sağlam Tosun Kahraman Mutlu Baysal
Başaran Ağca Ilıcak Dağdelen Gürsoy Uğurlu Öncel Kıraç Çağlayan Ilhan İlhan Işıkoğlu""".split()

TR_LAST_A = """Kara Ak Öz Gök Demir Yıldız Er Ay Şen Tok Kızıl Boz Gün Yurt Taş Çakır Dağ Deniz Bay Gür Uç Kır Ilgaz Işık
Çelik Sarı Tunç Alp Er Bal Cem Doğu""".split()
TR_LAST_B = """oğlu türk can kaya taş soy han er alp gül ay dağ baş göz el ok yiğit kan su tekin men çı cı er oğulları
demir boğa koç""".split()

# Arabic names: (en, tr, fr, de) romanisations of each component.
AR_GIVEN = [
    ("Muhammad", "Muhammed", "Mohammed", "Mohammed"),
    ("Ibrahim", "İbrahim", "Ibrahim", "Ibrahim"),
    ("Omar", "Ömer", "Omar", "Umar"),
    ("Bakr", "Bekir", "Bakr", "Bakr"),
    ("Hassan", "Hasan", "Hassan", "Hassan"),
    ("Hussein", "Hüseyin", "Hussein", "Husain"),
    ("Yusuf", "Yusuf", "Youssef", "Jussuf"),
    ("Khalid", "Halid", "Khaled", "Chalid"),
    ("Abdullah", "Abdullah", "Abdallah", "Abdallah"),
    ("Ahmad", "Ahmed", "Ahmed", "Ahmad"),
    ("Mustafa", "Mustafa", "Moustafa", "Mustafa"),
    ("Ali", "Ali", "Ali", "Ali"),
    ("Uthman", "Osman", "Othmane", "Uthman"),
    ("Hamza", "Hamza", "Hamza", "Hamsa"),
    ("Jaafar", "Cafer", "Jaafar", "Dschafar"),
    ("Zakariya", "Zekeriya", "Zakaria", "Sakarija"),
    ("Walid", "Velid", "Walid", "Walid"),
    ("Sulaiman", "Süleyman", "Souleymane", "Sulaiman"),
    ("Qasim", "Kasım", "Kassem", "Kassim"),
    ("Salah", "Selahattin", "Salah", "Salah"),
    ("Mahmoud", "Mahmut", "Mahmoud", "Mahmud"),
    ("Yahya", "Yahya", "Yahia", "Jahja"),
    ("Ismail", "İsmail", "Ismaël", "Ismail"),
    ("Jamal", "Cemal", "Jamel", "Dschamal"),
    ("Khalil", "Halil", "Khalil", "Chalil"),
    ("Abd al-Rahman", "Abdurrahman", "Abderrahmane", "Abd ar-Rahman"),
    ("Abd al-Aziz", "Abdülaziz", "Abdelaziz", "Abd al-Asis"),
    ("Nasser", "Nasır", "Nasser", "Nasir"),
    ("Tariq", "Tarık", "Tarek", "Tarik"),
    ("Faisal", "Faysal", "Fayçal", "Faisal"),
    ("Said", "Sait", "Saïd", "Said"),
    ("Ayman", "Eymen", "Aymane", "Aiman"),
    ("Hisham", "Hişam", "Hicham", "Hischam"),
    ("Harun", "Harun", "Haroun", "Harun"),
    ("Idris", "İdris", "Driss", "Idris"),
    ("Anas", "Enes", "Anass", "Anas"),
    ("Usama", "Üsame", "Oussama", "Usama"),
    ("Bilal", "Bilal", "Bilel", "Bilal"),
    ("Hamid", "Hamit", "Hamid", "Hamid"),
    ("Karim", "Kerim", "Karim", "Karim"),
]
AR_KUNYA = ("Abu", "Ebu", "Abou", "Abu")
AR_IBN = ("ibn", "bin", "ben", "ibn")
AR_NISBA = [
    ("al-Qurashi", "el-Kureyşi", "al-Qurachi", "al-Kuraschi"),
    ("al-Baghdadi", "el-Bağdadi", "al-Baghdadi", "al-Bagdadi"),
    ("al-Hashimi", "el-Haşimi", "al-Hachimi", "al-Haschimi"),
    ("al-Muhajir", "el-Muhacir", "al-Mouhajir", "al-Muhadschir"),
    ("al-Iraqi", "el-Irakî", "al-Iraki", "al-Iraki"),
    ("al-Shami", "eş-Şami", "al-Chami", "asch-Schami"),
    ("al-Masri", "el-Mısri", "al-Masri", "al-Masri"),
    ("al-Ansari", "el-Ensari", "al-Ansari", "al-Ansari"),
    ("al-Husseini", "el-Hüseyni", "al-Husseini", "al-Husaini"),
    ("al-Tikriti", "et-Tikriti", "al-Tikriti", "at-Tikriti"),
    ("al-Mawsili", "el-Musuli", "al-Mossouli", "al-Mausili"),
    ("al-Halabi", "el-Halebi", "al-Halabi", "al-Halabi"),
    ("al-Dimashqi", "ed-Dımeşki", "al-Dimachqi", "ad-Dimaschqi"),
    ("al-Kurdi", "el-Kürdi", "al-Kurdi", "al-Kurdi"),
    ("al-Turkmani", "et-Türkmani", "al-Turkmani", "at-Turkmani"),
    ("al-Tunisi", "et-Tunusi", "al-Tounsi", "at-Tunisi"),
    ("al-Libi", "el-Libi", "al-Libi", "al-Libi"),
    ("al-Adnani", "el-Adnani", "al-Adnani", "al-Adnani"),
    ("al-Jubouri", "el-Cuburi", "al-Joubouri", "al-Dschuburi"),
    ("al-Dulaimi", "ed-Duleymi", "al-Doulaimi", "ad-Dulaimi"),
    ("al-Shishani", "eş-Şişani", "al-Chichani", "asch-Schischani"),
    ("al-Zarqawi", "ez-Zerkavi", "al-Zarkaoui", "as-Sarkawi"),
    ("al-Suri", "es-Suri", "al-Souri", "as-Suri"),
    ("al-Hamawi", "el-Hamevi", "al-Hamaoui", "al-Hamawi"),
    ("al-Rawi", "er-Ravi", "al-Raoui", "ar-Rawi"),
    ("al-Ani", "el-Ani", "al-Ani", "al-Ani"),
]

# Organisation words: (en, tr).  Name = [region] [adjective] noun type; acronym from the initials.
ORG_REGION = [
    ("Northern", "Kuzey"),
    ("Southern", "Güney"),
    ("Eastern", "Doğu"),
    ("Western", "Batı"),
    ("Syrian", "Suriye"),
    ("Iraqi", "Irak"),
    ("Kurdish", "Kürt"),
    ("Turkmen", "Türkmen"),
    ("Arab", "Arap"),
    ("Levant", "Şam"),
    ("Euphrates", "Fırat"),
    ("Tigris", "Dicle"),
    ("Anatolian", "Anadolu"),
    ("Mesopotamian", "Mezopotamya"),
    ("Aleppo", "Halep"),
    ("Idlib", "İdlib"),
    ("Raqqa", "Rakka"),
    ("Mosul", "Musul"),
    ("Kirkuk", "Kerkük"),
    ("Hasakah", "Haseke"),
    ("Deir ez-Zor", "Deyrizor"),
    ("Homs", "Humus"),
    ("Hama", "Hama"),
    ("Latakia", "Lazkiye"),
    ("Daraa", "Dera"),
    ("Anbar", "Enbar"),
    ("Diyala", "Diyala"),
    ("Nineveh", "Ninova"),
    ("Sinjar", "Sincar"),
    ("Qamishli", "Kamışlı"),
]
ORG_ADJ = [
    ("Free", "Özgür"),
    ("Democratic", "Demokratik"),
    ("Islamic", "İslami"),
    ("National", "Ulusal"),
    ("Popular", "Halk"),
    ("Revolutionary", "Devrimci"),
    ("United", "Birleşik"),
    ("Independent", "Bağımsız"),
    ("Civil", "Sivil"),
    ("Humanitarian", "İnsani"),
    ("Patriotic", "Yurtsever"),
    ("Liberation", "Kurtuluş"),
    ("Unity", "Birlik"),
    ("Justice", "Adalet"),
    ("Solidarity", "Dayanışma"),
    ("Reform", "Reform"),
    ("Peace", "Barış"),
    ("Security", "Güvenlik"),
    ("Defence", "Savunma"),
    ("Relief", "Yardım"),
]
ORG_TYPE = [
    ("Front", "Cephesi"),
    ("Army", "Ordusu"),
    ("Council", "Konseyi"),
    ("Movement", "Hareketi"),
    ("Party", "Partisi"),
    ("Brigade", "Tugayı"),
    ("Union", "Birliği"),
    ("Assembly", "Meclisi"),
    ("Committee", "Komitesi"),
    ("Foundation", "Vakfı"),
    ("Association", "Derneği"),
    ("Agency", "Ajansı"),
    ("Coalition", "Koalisyonu"),
    ("Forces", "Güçleri"),
    ("Authority", "Otoritesi"),
    ("Network", "Ağı"),
    ("Institute", "Enstitüsü"),
    ("Organisation", "Örgütü"),
    ("Alliance", "İttifakı"),
    ("Battalion", "Taburu"),
]

EN_TEMPLATES = """{E} said on {day} that talks with {E} would continue in {city}.
Officials in {city} confirmed that {E} had met representatives of {E} earlier this week.
According to a statement, {E} rejected the proposal, calling it "unacceptable".
{E}, who has led the group since {year}, was not available for comment.
The report, published by {E} on {day}, accused {E} of blocking aid convoys near {city}.
Security sources told reporters that {E} was detained at a checkpoint outside {city}.
In an interview, {E} described the situation as "deeply worrying" for civilians.
Analysts say the move by {E} reflects growing pressure from {E}.
Hundreds of people gathered in {city} on {day} to protest against {E}.
The ministry said {E} and {E} had agreed to a ceasefire, which took effect at midnight.
A spokesman for {E} denied the claims, saying the figures were exaggerated.
{E}'s office issued a brief statement late on {day}.
Residents of {city} said fighting had resumed after {E} withdrew from several villages.
Diplomats expect {E} to attend the conference in {city} next month.
Neither {E} nor {E} responded to requests for comment.
The court in {city} sentenced {E} to {num} years in prison on {day}.
Earlier this year, {E} warned that the crisis could spread across the border.
The agreement was signed by {E} in the presence of officials from {E}.
It was the {ord} such meeting between {E} and local leaders this year.
Aid workers said {num} families had fled {city} since {day}, according to {E}.
"We will not accept any solution imposed from outside," {E} told a news conference.
Prices of bread and fuel in {city} have risen by {num} percent, local traders said.
The convoy reached {city} on {day} after a delay of several hours at the crossing.
Talks are expected to resume next week, although no date has been set.
The statement did not say how many people were killed or wounded in the attack.
Witnesses described long queues at the border crossing, where checks had been tightened.
The government has repeatedly said it will not negotiate under pressure.""".split("\n")

TR_TEMPLATES = """{E}, {day} günü yaptığı açıklamada {city} görüşmelerinin süreceğini söyledi.
{city} valiliği, {E} ile {E} temsilcilerinin bu hafta bir araya geldiğini doğruladı.
Yazılı açıklamada {E} önerinin "kabul edilemez" olduğunu belirtti.
{year} yılından bu yana grubun başında bulunan {E} yorum yapmadı.
{E} tarafından {day} günü yayımlanan raporda {E} yardım konvoylarını engellemekle suçlandı.
Güvenlik kaynakları, {E} isimli şüphelinin {city} çıkışındaki bir kontrol noktasında gözaltına alındığını bildirdi.
Röportajda konuşan {E}, sivillerin durumunun "son derece endişe verici" olduğunu ifade etti.
Uzmanlara göre {E} kararının arkasında {E} baskısı bulunuyor.
{city} kentinde {day} günü yüzlerce kişi {E} aleyhine gösteri düzenledi.
Bakanlık, {E} ve {E} temsilcilerinin gece yarısı yürürlüğe giren ateşkes üzerinde uzlaştığını açıkladı.
{E} sözcüsü iddiaları yalanlayarak rakamların abartıldığını söyledi.
Çatışmaların, {E} birliklerinin bazı köylerden çekilmesinin ardından yeniden başladığı öğrenildi.
Diplomatik kaynaklar, {E} heyetinin gelecek ay {city} kentindeki konferansa katılmasını bekliyor.
{city} Ağır Ceza Mahkemesi, {E} hakkında {num} yıl hapis cezasına hükmetti.
Yılın başında {E}, krizin sınırın öbür yanına yayılabileceği uyarısında bulunmuştu.
Anlaşma, {E} yetkililerinin huzurunda {E} tarafından imzalandı.
Yardım kuruluşları, {day} gününden bu yana {num} ailenin {city} kentinden göç ettiğini açıkladı.
"Dışarıdan dayatılan hiçbir çözümü kabul etmeyeceğiz" diyen {E}, basın toplantısında konuştu.
{city} kentinde ekmek ve akaryakıt fiyatları yüzde {num} oranında arttı.
Konvoy, sınır kapısında saatlerce bekledikten sonra {day} günü {city} kentine ulaştı.
Görüşmelerin gelecek hafta yeniden başlaması bekleniyor, ancak henüz bir tarih belirlenmedi.
Açıklamada saldırıda kaç kişinin öldüğü ya da yaralandığı belirtilmedi.
Görgü tanıkları, güvenlik önlemlerinin sıkılaştırıldığı sınır kapısında uzun kuyruklar oluştuğunu anlattı.
Hükümet, baskı altında müzakere etmeyeceğini defalarca dile getirdi.
İçişleri Bakanlığı, operasyonun {city} ve çevresinde sürdüğünü açıkladı.""".split("\n")

EN_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
TR_DAYS = "Pazartesi Salı Çarşamba Perşembe Cuma Cumartesi Pazar".split()
EN_CITIES = "Aleppo Idlib Raqqa Mosul Kirkuk Erbil Damascus Ankara Istanbul Gaziantep Hatay Baghdad Qamishli Manbij".split()
TR_CITIES = (
    "Halep İdlib Rakka Musul Kerkük Erbil Şam Ankara İstanbul Gaziantep Hatay Bağdat Kamışlı Menbiç".split()
)
EN_ORD = "first second third fourth fifth".split()

# Filler sentences without names: subject / verb phrase / tail, combined at random.
EN_SUBJ = """The ministry|Local officials|The United Nations envoy|Aid agencies|Security forces|The opposition|Witnesses|
Military sources|The governor|Residents|Human rights groups|The prosecutor's office|Border guards|The central bank|
Several lawmakers|The interior ministry|Medical staff|The electricity company|Farmers in the region|Teachers""".replace(
    "\n", ""
).split("|")
EN_VERB = """said the situation remained tense|reported heavy shelling overnight|called for an independent investigation|
announced new restrictions on movement|warned of food shortages|denied any involvement in the incident|
confirmed that roads had been reopened|urged both sides to show restraint|said talks had made little progress|
described the damage as extensive|promised to rebuild the damaged schools|raised concerns about the safety of civilians|
said more than a hundred people had been arrested|reported a sharp rise in prices|asked for more time to respond""".replace(
    "\n", ""
).split("|")
EN_TAIL = """on Tuesday|late on Sunday|in a written statement|according to state media|earlier this month|
despite repeated warnings|for the third time this year|without giving further details|after a meeting in the capital|
as winter approaches""".replace("\n", "").split("|")
TR_SUBJ = """Bakanlık|Yerel yetkililer|BM temsilcisi|Yardım kuruluşları|Güvenlik güçleri|Muhalefet|Görgü tanıkları|
Askeri kaynaklar|Vali|Bölge sakinleri|İnsan hakları örgütleri|Başsavcılık|Sınır muhafızları|Merkez Bankası|
Bazı milletvekilleri|İçişleri Bakanlığı|Sağlık çalışanları|Elektrik şirketi|Bölgedeki çiftçiler|Öğretmenler""".replace(
    "\n", ""
).split("|")
TR_VERB = """durumun gergin olduğunu söyledi|gece boyunca yoğun top atışı yapıldığını bildirdi|bağımsız bir soruşturma çağrısında bulundu|
yeni seyahat kısıtlamaları açıkladı|gıda sıkıntısı uyarısında bulundu|olayla hiçbir ilgisinin olmadığını açıkladı|
yolların yeniden açıldığını doğruladı|tarafları itidale çağırdı|görüşmelerde az ilerleme kaydedildiğini söyledi|
hasarın büyük olduğunu belirtti|hasar gören okulları yeniden inşa edeceğini vaat etti|sivillerin güvenliğinden endişe duyduğunu dile getirdi|
yüzden fazla kişinin gözaltına alındığını açıkladı|fiyatlarda keskin bir artış yaşandığını bildirdi|yanıt vermek için ek süre istedi""".replace(
    "\n", ""
).split("|")
TR_TAIL = """Salı günü|Pazar akşamı|yazılı açıklamasında|devlet medyasına göre|bu ayın başında|tüm uyarılara rağmen|
bu yıl üçüncü kez|ayrıntı vermeden|başkentteki toplantının ardından|kış yaklaşırken""".replace(
    "\n", ""
).split("|")
